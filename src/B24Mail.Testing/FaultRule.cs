namespace B24Mail.Testing;

/// <summary>
/// A fault rule for <see cref="B24MailControl.AddFaultAsync"/> (README, Faults): which calls it hits and what it does
/// to them. Null keys are left out: every method, portal and credential; no error; fires every time.
/// </summary>
/// <param name="Error">A system error name (<c>QUERY_LIMIT_EXCEEDED</c>, <c>expired_token</c>, ...).</param>
/// <param name="Delay">Milliseconds to wait first.</param>
/// <param name="Drop">Close the connection with no answer.</param>
public sealed record FaultRule(
    string? Method = null,
    string? Error = null,
    string? Portal = null,
    string? Credential = null,
    int? Delay = null,
    bool? Drop = null,
    double? Probability = null,
    int? Times = null);
