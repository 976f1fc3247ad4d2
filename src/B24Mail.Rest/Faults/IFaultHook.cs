using B24Mail.Rest.Identity;

namespace B24Mail.Rest.Faults;

/// <summary>
/// Asked once per call and once per batch command, after the credential is known: whether a test has asked
/// this call to fail, wait or lose its connection. The control plane keeps the rules; with none the answer is null.
/// </summary>
public interface IFaultHook
{
    ValueTask<Fault?> NextAsync(string methodName, Caller caller, CancellationToken cancellationToken);
}
