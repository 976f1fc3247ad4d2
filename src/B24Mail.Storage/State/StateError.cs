namespace B24Mail.Storage.State;

/// <summary>One problem with a state document: where it is (a JSON path from <c>$</c>) and what is wrong.</summary>
public sealed record StateError(string Path, string Message);
