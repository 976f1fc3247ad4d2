namespace B24Mail.Server.ControlPlane;

/// <summary>Marks an endpoint as the control plane's, so <see cref="ControlPlaneAccess"/> guards it and nothing else pays for the check.</summary>
public sealed class ControlPlaneEndpoint
{
    public static readonly ControlPlaneEndpoint Instance = new();

    private ControlPlaneEndpoint()
    {
    }
}
