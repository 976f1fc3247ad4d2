using Microsoft.Extensions.Logging;

namespace B24Mail.Rest.Health;

/// <summary>
/// Whether this process can write what it stores. A full disk or a read-only folder fails every write
/// until someone fixes it, so the storage layer reports here instead of each request logging its own stack
/// trace: the log gets one line when writing starts to fail and one when it works again, and <c>/health</c>
/// answers 503 meanwhile so a balancer can take the node out. Each source (the database, the logo folder)
/// recovers on its own: a database that still writes does not hide a full logo folder.
/// </summary>
public sealed class StorageHealth(ILogger<StorageHealth> logger, TimeProvider time)
{
    /// <summary>
    /// A source recovers with its first successful write this long after its last failed one. A full disk
    /// still takes the writes that fit into space already allocated (an update in place, a WAL frame reused),
    /// so a success between two failures does not mean the condition ended, and must not be logged as if it did.
    /// </summary>
    public static readonly TimeSpan RecoveryQuietPeriod = TimeSpan.FromSeconds(10);

    private const string ReportedKey = "B24Mail.StorageFailure";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Condition, DateTimeOffset At)> _failing = new(StringComparer.Ordinal);
    private volatile string? _condition;
    private volatile bool _serving;

    /// <summary>What is wrong (<c>disk full</c>, <c>read-only</c>, ...), or null while every write works.</summary>
    public string? Condition => _condition;

    /// <summary>
    /// From here on failures are logged. Before it, a failed write ends the start (or the command), and the
    /// command line says why in one line on stderr: a log line as well would say it twice.
    /// </summary>
    public void Serving() => _serving = true;

    /// <summary>
    /// A write to <paramref name="source"/> failed because of the storage itself. Marks the exception so that
    /// callers answering it do not log it again.
    /// </summary>
    public void Failed(string source, string condition, Exception exception)
    {
        exception.Data[ReportedKey] = condition;
        lock (_gate)
        {
            var wasHealthy = _failing.Count == 0;
            _failing[source] = (condition, time.GetUtcNow());
            _condition = condition;
            // The message, not the exception: its stack trace says nothing an operator can act on.
            if (wasHealthy && _serving) logger.LogError("Storage failed ({Source}): {Condition}. Writes fail until this is fixed. {Reason}", source, condition, exception.Message);
        }
    }

    /// <summary>A write to <paramref name="source"/> reached the storage.</summary>
    public void Succeeded(string source)
    {
        // Every write passes here: while nothing fails, this is one read.
        if (_condition is null) return;
        lock (_gate)
        {
            if (!_failing.TryGetValue(source, out var failing) || time.GetUtcNow() - failing.At < RecoveryQuietPeriod) return;
            _failing.Remove(source);
            if (_failing.Count > 0)
            {
                _condition = _failing.Values.First().Condition;
                return;
            }
            _condition = null;
            if (_serving) logger.LogWarning("Storage recovered ({Source}): writes succeed again.", source);
        }
    }

    /// <summary>True for an exception already reported as a storage failure, which needs no log line of its own.</summary>
    public static bool IsReported(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current.Data.Contains(ReportedKey)) return true;
        }
        return false;
    }
}
