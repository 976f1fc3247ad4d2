using System.Text.Json;
using B24Mail.Rest.Json;
using B24Mail.Rest.Values;

namespace B24Mail.MailServices;

/// <summary>
/// A row of <c>list</c> or the result of <c>get</c>, shaped only when it is written. A batch keeps every command's
/// result until its answer is written, so fifty lists held as shaped rows would hold fifty copies of the directory at once.
/// </summary>
public sealed record MailServiceRow(MailService Service, string BaseUrl) : IPhpJsonWritable
{
    public PhpArray ToPhp() => Service.ToPhp(BaseUrl);

    public void WriteJson(Utf8JsonWriter writer) => Service.WriteJson(writer, BaseUrl);
}
