namespace B24Mail.Server.Hosting;

/// <summary>
/// What an operation names does not exist (a user, webhook or app given by its ID). An <see cref="ArgumentException"/>,
/// so a command reports it as any refused value (one line, exit 1); the control plane answers it 404, where a
/// refused value in a body is 400.
/// </summary>
public sealed class NotFoundException(string message) : ArgumentException(message);
