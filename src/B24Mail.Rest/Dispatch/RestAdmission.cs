using B24Mail.Rest.Identity;

namespace B24Mail.Rest.Dispatch;

/// <summary>A call that passed the method lookup, the HTTPS rule and the credential check.</summary>
public sealed record RestAdmission(RestMethod Method, Caller Caller);
