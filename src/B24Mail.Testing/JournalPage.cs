namespace B24Mail.Testing;

/// <summary>The answer of <c>GET /_b24mail/requests</c>: the entries, newest first.</summary>
public sealed record JournalPage(int Size, long Dropped, IReadOnlyList<JournalRequest> Requests);
