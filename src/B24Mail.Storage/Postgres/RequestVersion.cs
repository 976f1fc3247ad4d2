namespace B24Mail.Storage.Postgres;

/// <summary>
/// The change counts one request's cached reads must be at least as new as: read at its first cached read (after
/// the request arrived), and raised by its own writes' bumps so that it reads past them.
/// </summary>
internal sealed class RequestVersion
{
    public ChangeCount? Count { get; set; }
}
