using Microsoft.AspNetCore.Http;

namespace B24Mail.Rest.Transport;

/// <summary>The headers real portals send on every REST response, so browser apps (BX24.js, B24Frame) can call cross-origin.</summary>
public static class CorsHeaders
{
    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.AccessControlAllowOrigin = "*";
        headers.AccessControlAllowHeaders = "origin, content-type, accept, authorization, x-request-id";
        headers.XContentTypeOptions = "nosniff";
    }

    public static void ApplyPreflight(HttpResponse response)
    {
        response.Headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
        response.Headers.AccessControlMaxAge = "86400";
    }
}
