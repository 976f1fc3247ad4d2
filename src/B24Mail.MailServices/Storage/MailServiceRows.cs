using System.Buffers;
using System.Text.Json;

namespace B24Mail.MailServices.Storage;

/// <summary>
/// A portal's active services as one read found them. On SQLite the read cache hands this same instance to every
/// call until the next commit, so its JSON is made on the second write and copied as bytes from then on: a list of
/// 1,000 services is 290 KB that would otherwise be encoded again for every call. On PostgreSQL each call reads a
/// fresh instance, which is written once and never encoded twice. The bytes go with the instance, so they can
/// never outlive the rows they were made from.
/// </summary>
public sealed class MailServiceRows : List<MailService>
{
    private int _writes;
    private EncodedRows? _encoded;

    /// <summary>The rows as a JSON array, with icon URLs on <paramref name="baseUrl"/>.</summary>
    public void WriteJson(Utf8JsonWriter writer, string baseUrl)
    {
        if (Volatile.Read(ref _encoded) is { } encoded && encoded.BaseUrl == baseUrl)
        {
            writer.WriteRawValue(encoded.Bytes, skipInputValidation: true);
            return;
        }
        // Counted only up to the second write, so a list served for years never wraps the count.
        if (Volatile.Read(ref _writes) < 2 && Interlocked.Increment(ref _writes) < 2)
        {
            WriteRows(writer, baseUrl);
            return;
        }
        // Encoded with the caller's own options, so the bytes are the ones it would have written.
        var buffer = new ArrayBufferWriter<byte>(Count * 320 + 2);
        using (var own = new Utf8JsonWriter(buffer, writer.Options)) WriteRows(own, baseUrl);
        var bytes = buffer.WrittenSpan.ToArray();
        // Clients on another address (HTTP and HTTPS, another host) replace it: bounded work, always correct.
        Volatile.Write(ref _encoded, new EncodedRows(baseUrl, bytes));
        writer.WriteRawValue(bytes, skipInputValidation: true);
    }

    private void WriteRows(Utf8JsonWriter writer, string baseUrl)
    {
        writer.WriteStartArray();
        for (var i = 0; i < Count; i++) this[i].WriteJson(writer, baseUrl);
        writer.WriteEndArray();
    }

    private sealed record EncodedRows(string BaseUrl, byte[] Bytes);
}
