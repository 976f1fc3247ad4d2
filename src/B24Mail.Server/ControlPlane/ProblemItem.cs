namespace B24Mail.Server.ControlPlane;

/// <summary>One problem with a document: where it is (a JSON path from <c>$</c>) and what is wrong.</summary>
public sealed record ProblemItem(string Path, string Message);
