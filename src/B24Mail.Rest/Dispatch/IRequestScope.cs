namespace B24Mail.Rest.Dispatch;

/// <summary>
/// Lets storage treat the reads of one request (a single call, or every command of a batch) as one unit,
/// so work such as a freshness check is done once per request rather than once per read.
/// </summary>
public interface IRequestScope
{
    IDisposable Begin();
}
