using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using B24Mail.Rest.Values;

namespace B24Mail.Server.ControlPlane.Journal;

/// <summary>An entry as the control plane shows it. Parameter names are the client's own, in their case.</summary>
public static class JournalJson
{
    /// <summary>Readable text in the console; the answer is always a JSON value or a string, never markup to run.</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(Utf8JsonWriter json, JournalEntry entry)
    {
        json.WriteStartObject();
        json.WriteNumber("id", entry.Id);
        json.WriteString("time", entry.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("httpMethod", entry.HttpMethod);
        json.WriteString("path", RequestJournal.MaskPath(entry.Path));
        json.WriteString("method", entry.Method);
        json.WriteString("portal", entry.Portal);
        json.WriteString("credential", entry.Credential);
        if (entry.User is { } user) json.WriteNumber("user", user);
        else json.WriteNull("user");
        json.WritePropertyName("params");
        WriteValue(json, entry.Params);
        if (entry.Commands is { } commands)
        {
            json.WriteStartArray("commands");
            foreach (var command in commands)
            {
                json.WriteStartObject();
                json.WriteString("key", command.Key);
                json.WriteString("method", command.Method);
                json.WritePropertyName("params");
                WriteValue(json, command.Params);
                json.WriteNumber("status", command.Status);
                json.WriteString("error", command.Error);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteNumber("status", entry.Status);
        json.WriteString("error", entry.Error);
        json.WriteNumber("durationMs", entry.DurationMs);
        WriteAnswer(json, entry);
        json.WriteEndObject();
    }

    private static void WriteAnswer(Utf8JsonWriter json, JournalEntry entry)
    {
        json.WriteNumber("responseBytes", entry.AnswerBytes);
        if (entry.Answer is null)
        {
            json.WriteNull("response");
            return;
        }
        var text = JournalMask.MaskAnswer(Encoding.UTF8.GetString(entry.Answer));
        var whole = entry.Answer.Length == entry.AnswerBytes;
        json.WriteBoolean("responseCut", !whole);
        if (whole && IsJson(text))
        {
            json.WritePropertyName("response");
            json.WriteRawValue(text, skipInputValidation: true);
        }
        else
        {
            json.WriteString("response", text);
        }
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case JournalText text:
                json.WriteStartObject();
                json.WriteString("text", text.Start);
                json.WriteNumber("length", text.Length);
                json.WriteEndObject();
                break;
            case JournalFile file:
                json.WriteStartObject();
                json.WriteString("file", file.FileName);
                json.WriteNumber("bytes", file.Bytes);
                json.WriteEndObject();
                break;
            case PhpArray array:
                json.WriteStartObject();
                foreach (var (key, item) in array)
                {
                    json.WritePropertyName(key);
                    WriteValue(json, item);
                }
                json.WriteEndObject();
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    public static byte[] ToBytes(JournalEntry entry)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, Options)) Write(json, entry);
        return buffer.WrittenSpan.ToArray();
    }
}
