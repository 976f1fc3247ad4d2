namespace B24Mail.Rest.Faults;

/// <summary>A fault rule asked for the connection to be cut: the transport aborts it without an answer, even from inside a batch.</summary>
public sealed class ConnectionDropped() : Exception("A fault rule dropped the connection.");
