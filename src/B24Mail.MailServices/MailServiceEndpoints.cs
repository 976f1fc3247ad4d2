using B24Mail.MailServices.Icons;
using B24Mail.MailServices.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace B24Mail.MailServices;

public static class MailServiceEndpoints
{
    /// <summary>Serves stored logos at the URLs that get and list return. File ID and key must both match; the name is cosmetic.</summary>
    public static IEndpointRouteBuilder MapMailServiceIcons(this IEndpointRouteBuilder app)
    {
        app.MapGet(IconUrls.Prefix + "/{fileId:long}/{key}/{name}", async (long fileId, string key, HttpContext http, IMailServiceStore store, IIconBlobStore blobs) =>
        {
            http.Response.Headers.XContentTypeOptions = "nosniff";
            var icon = key.Length == 32 && key.All(char.IsAsciiHexDigitLower) ? await store.FindIconAsync(fileId, key, http.RequestAborted) : null;
            var content = icon is null ? null : await blobs.ReadAsync(icon.PortalId, icon.Key, http.RequestAborted);
            if (icon is null || content is null) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=86400";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'";
            return Results.File(content, icon.ContentType);
        });
        return app;
    }
}
