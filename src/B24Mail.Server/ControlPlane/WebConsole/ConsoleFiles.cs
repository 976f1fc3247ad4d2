using System.Security.Cryptography;

namespace B24Mail.Server.ControlPlane.WebConsole;

/// <summary>
/// The console: three static files (<c>index.html</c>, <c>console.css</c>, <c>console.js</c>) embedded in the binary
/// and held in memory, served at <c>/</c> and <c>/_b24mail/console/</c>. Read from the manifest by name, which
/// the native build keeps (no file provider, no reflection). The page is only a client of the control plane's API,
/// so the files are public; the policy headers allow nothing but this server's own script, style and images.
/// </summary>
public static class ConsoleFiles
{
    public const string Path = ControlPlaneModule.Prefix + "/console/";

    private const string ResourcePrefix = "B24Mail.Server.Console.";

    public const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly Dictionary<string, ConsoleFile> Files = Load();

    public static void MapConsole(this WebApplication app)
    {
        // A browser opening the printed address lands on the console; without the control plane "/" stays unmapped (404).
        app.MapGet("/", (HttpContext http) => Serve(http, "index.html"));
        // Routing ignores a trailing slash, so this also serves /_b24mail/console; the page names its files by absolute path.
        app.MapGet(Path + "{file?}", (HttpContext http, string? file) => Serve(http, file ?? "index.html"));
    }

    private static IResult Serve(HttpContext http, string name)
    {
        if (!Files.TryGetValue(name, out var file)) return Problem.Of(StatusCodes.Status404NotFound, $"The console has no file '{name}'.");
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidated each time: a new binary brings new files, and the tag makes the check cost a 304.
        headers.CacheControl = "no-cache";
        headers.ETag = file.ETag;
        if (http.Request.Headers.IfNoneMatch.ToString() == file.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(file.Content, file.ContentType);
    }

    private static Dictionary<string, ConsoleFile> Load()
    {
        var assembly = typeof(ConsoleFiles).Assembly;
        var files = new Dictionary<string, ConsoleFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            var name = resource[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            files[name] = new ConsoleFile(content, ContentTypeOf(name), etag);
        }
        return files;
    }

    private static string ContentTypeOf(string name) => System.IO.Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
