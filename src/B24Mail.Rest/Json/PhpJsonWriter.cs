using System.Buffers;
using System.Collections;
using System.Text.Encodings.Web;
using System.Text.Json;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Json;

/// <summary>
/// Writes results the way PHP's json_encode does: an empty map is <c>[]</c>, a map with keys 0..n-1 is a
/// list. PHP also \u-escapes non-ASCII and HTML characters; clients parse JSON, so that is left out for readability (docs/decisions.md #16).
/// </summary>
public static class PhpJsonWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static byte[] ToBytes(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    public static string ToJson(object? value) => System.Text.Encoding.UTF8.GetString(ToBytes(value));

    public static void Write(IBufferWriter<byte> output, object? value)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        WriteValue(writer, value);
    }

    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                if (double.IsFinite(d)) writer.WriteNumberValue(d);
                else writer.WriteNumberValue(0);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case PhpArray array:
                WriteArray(writer, array);
                break;
            case IPhpJsonWritable direct:
                direct.WriteJson(writer);
                break;
            case IPhpSerializable custom:
                WriteValue(writer, custom.ToPhp());
                break;
            case UploadedFile file:
                writer.WriteStringValue(file.FileName);
                break;
            case IDictionary dictionary:
                WriteDictionary(writer, dictionary);
                break;
            case IEnumerable sequence:
                writer.WriteStartArray();
                foreach (var item in sequence) WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteArray(Utf8JsonWriter writer, PhpArray array)
    {
        if (array.IsList)
        {
            writer.WriteStartArray();
            foreach (var (_, item) in array) WriteValue(writer, item);
            writer.WriteEndArray();
            return;
        }
        writer.WriteStartObject();
        foreach (var (key, item) in array)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, item);
        }
        writer.WriteEndObject();
    }

    private static void WriteDictionary(Utf8JsonWriter writer, IDictionary dictionary)
    {
        if (dictionary.Count == 0)
        {
            writer.WriteStartArray();
            writer.WriteEndArray();
            return;
        }
        writer.WriteStartObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            writer.WritePropertyName(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!);
            WriteValue(writer, entry.Value);
        }
        writer.WriteEndObject();
    }
}
