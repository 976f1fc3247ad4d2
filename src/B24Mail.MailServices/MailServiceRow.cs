using B24Mail.Rest.Values;

namespace B24Mail.MailServices;

/// <summary>
/// A row of <c>list</c>, shaped only when it is written. A batch keeps every command's result until its answer
/// is written, so fifty lists held as shaped rows would hold fifty copies of the directory at once.
/// </summary>
public sealed record MailServiceRow(MailService Service, string BaseUrl) : IPhpSerializable
{
    public PhpArray ToPhp() => Service.ToPhp(BaseUrl);
}
