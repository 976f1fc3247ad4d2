namespace B24Mail.Server.ControlPlane;

/// <summary>
/// Something the emulator keeps beside the stored data (the request journal, fault rules) that a whole reset
/// (<c>POST /_b24mail/reset</c>) clears too, so a test suite gets back one known state with one call.
/// </summary>
public interface IResetWithState
{
    Task ResetAsync(CancellationToken cancellationToken);
}
