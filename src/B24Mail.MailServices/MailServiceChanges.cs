using B24Mail.MailServices.Icons;

namespace B24Mail.MailServices;

/// <summary>What an add or update asks to change; null (or an unset optional) leaves a field as it is.</summary>
public sealed record MailServiceChanges
{
    public bool? Active { get; set; }
    public long? Sort { get; set; }
    public string? Name { get; set; }
    public string? Server { get; set; }
    public Optional<long?> Port { get; set; }
    public bool? Encryption { get; set; }
    public Optional<string?> Link { get; set; }
    public IconInput? Icon { get; set; }
}
