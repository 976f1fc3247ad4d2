using System.Net;

namespace B24Mail.Testing;

/// <summary>The control plane refused a helper's call; <see cref="Exception.Message"/> holds its problem details.</summary>
public sealed class B24MailControlException(HttpStatusCode status, string problem)
    : Exception($"The b24mail control plane answered {(int)status}: {problem}")
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The answer's body: RFC 7807 problem details as JSON.</summary>
    public string Problem { get; } = problem;
}
