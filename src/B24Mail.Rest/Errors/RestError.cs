namespace B24Mail.Rest.Errors;

/// <summary>
/// The one way an error leaves a method: code, description and HTTP status, written as
/// <c>{"error": code, "error_description": description}</c>. Thrown as an exception so a handler
/// can stop at any depth; a new instance each time, because exceptions carry per-throw state.
/// </summary>
public sealed class RestError(string code, string description, int status) : Exception(description)
{
    public string Code { get; } = code;
    public string Description { get; } = description;
    public int Status { get; } = status;

    public RestError WithDescription(string description) => new(Code, description, Status);
}
