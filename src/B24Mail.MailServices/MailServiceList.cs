using System.Text.Json;
using B24Mail.Rest.Json;
using B24Mail.Rest.Values;

namespace B24Mail.MailServices;

/// <summary>
/// The result of <c>list</c>: the store's rows as they are (the SQLite read cache hands out the same list to
/// every call), written straight to JSON without a row object or map per row. XML and batch take the rows
/// through <see cref="ToPhp"/>, still unshaped until written (<see cref="MailServiceRow"/>).
/// </summary>
public sealed class MailServiceList(IReadOnlyList<MailService> services, string baseUrl) : IPhpJsonWritable
{
    public PhpArray ToPhp() => PhpArray.List(services.Select(s => new MailServiceRow(s, baseUrl)));

    public void WriteJson(Utf8JsonWriter writer)
    {
        if (services is Storage.MailServiceRows rows)
        {
            rows.WriteJson(writer, baseUrl);
            return;
        }
        writer.WriteStartArray();
        for (var i = 0; i < services.Count; i++) services[i].WriteJson(writer, baseUrl);
        writer.WriteEndArray();
    }
}
