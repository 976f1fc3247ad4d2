using B24Mail.Rest.Errors;

namespace B24Mail.Rest.Dispatch;

/// <summary>What one method call produced: a result with its time block (and, for a secure call, its signature), or an error.</summary>
public sealed record RestOutcome(object? Result, TimeBlock? Time, RestError? Error, string? Signature = null)
{
    public static RestOutcome Success(object? result, TimeBlock time, string? signature = null) => new(result, time, null, signature);

    public static RestOutcome Failure(RestError error) => new(null, null, error);
}
