namespace B24Mail.Server.ControlPlane;

/// <summary>
/// The control plane's OpenAPI document, written by hand beside the routes and embedded in the binary: the
/// generator would need reflection the native build does not have, and a test checks that every mapped route is in it.
/// </summary>
public static class OpenApiDocument
{
    public const string ResourceName = "B24Mail.Server.ControlPlane.openapi.json";

    public static Stream Open() => typeof(OpenApiDocument).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException(ResourceName + " is not embedded.");
}
