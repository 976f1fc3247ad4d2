using System.Text;
using B24Mail.Rest.Errors;
using B24Mail.Rest.Json;
using B24Mail.Rest.Values;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace B24Mail.Rest.Transport;

/// <summary>
/// Reads the parameter set as the real server builds it (docs/decisions.md #22): the query string, then the body
/// over it key by key (the body wins); JSON only for <c>application/json</c>, where invalid JSON means no
/// parameters; multipart fields and files; any other body parsed as urlencoded.
/// </summary>
public static class RestParams
{
    /// <summary>Names that carry the OAuth token. They are credentials, never parameters.</summary>
    public static readonly string[] CredentialNames = ["auth", "access_token", "auth_connector"];

    public static async Task<PhpArray> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var parameters = PhpQueryParser.Parse(request.QueryString.HasValue ? request.QueryString.Value![1..] : null);
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is not null)
        {
            foreach (var (key, value) in body) parameters.Set(key, value);
        }
        return parameters;
    }

    /// <summary>Whether the request carries a body to read (the same test <see cref="ReadAsync"/> applies).</summary>
    public static bool HasBody(HttpRequest request) => !(request.ContentLength == 0 || HttpMethods.IsGet(request.Method) && request.ContentLength is null);

    /// <summary>The token of an <c>Authorization: Bearer</c> header, which wins over any parameter.</summary>
    public static RestCredential.Token? HeaderToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[7..].Trim();
        return token.Length == 0 ? null : new RestCredential.Token(token);
    }

    /// <summary>Takes the OAuth token out of the parameters: the Authorization header first, then <c>auth</c>, then <c>access_token</c>.</summary>
    public static string? TakeToken(HttpRequest request, PhpArray parameters)
    {
        var token = HeaderToken(request)?.AccessToken;
        foreach (var name in CredentialNames)
        {
            if (parameters.TryGetValue(name, out var value))
            {
                if (token is null && name != "auth_connector" && value is string s && s.Length > 0) token = s;
                parameters.Remove(name);
            }
        }
        return string.IsNullOrEmpty(token) ? null : token;
    }

    /// <summary>
    /// Takes <c>state</c> out of the parameters, as the real server does before a method runs (docs/decisions.md #26).
    /// A text value asks for a signed answer; any other value is dropped all the same.
    /// </summary>
    public static string? TakeState(PhpArray parameters)
    {
        if (!parameters.TryGetValue("state", out var value)) return null;
        parameters.Remove("state");
        return ParamConvert.TryText(value, out var state) ? state : null;
    }

    private static async Task<PhpArray?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!HasBody(request)) return null;
        MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType);
        var mediaType = contentType?.MediaType.Value;
        if (string.Equals(mediaType, "multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadMultipartAsync(request, cancellationToken);
        }
        var bytes = await ReadAllAsync(request, cancellationToken);
        if (bytes.Length == 0) return null;
        if (string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return JsonParams.Parse(bytes) ?? new PhpArray();
        }
        return PhpQueryParser.Parse(Encoding.UTF8.GetString(bytes));
    }

    private static async Task<PhpArray> ReadMultipartAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException && !cancellationToken.IsCancellationRequested && exception is not BadHttpRequestException)
        {
            // A truncated body, a bad boundary, or more fields than the form limits allow.
            throw SystemErrors.BadRequest;
        }
        var tree = new PhpArray();
        foreach (var field in form)
        {
            foreach (var value in field.Value) PhpQueryParser.Assign(tree, field.Key, value ?? "");
        }
        foreach (var file in form.Files)
        {
            using var stream = new MemoryStream((int)Math.Min(file.Length, int.MaxValue));
            await file.CopyToAsync(stream, cancellationToken);
            PhpQueryParser.Assign(tree, file.Name, new UploadedFile(file.FileName, file.ContentType, stream.ToArray()));
        }
        return tree;
    }

    /// <summary>
    /// The whole body, in one array of its declared length when it has one (a stream that grows by doubling
    /// would hold up to three copies of a large body at once). Kestrel enforces the size limit either way.
    /// </summary>
    private static async Task<byte[]> ReadAllAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // A declared length is trusted for the array only within the body limit; beyond it the read would
            // fail anyway, and the array must not be made first.
            var limit = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            if (request.ContentLength is { } declared && declared > (limit ?? int.MaxValue))
            {
                throw new BadHttpRequestException("Request body too large", StatusCodes.Status413PayloadTooLarge);
            }
            if (request.ContentLength is { } length and <= int.MaxValue)
            {
                var bytes = new byte[length];
                await request.Body.ReadExactlyAsync(bytes, cancellationToken);
                return bytes;
            }
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (Exception exception) when (exception is IOException and not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // Kestrel reports some broken framing (a chunk size that overflows) as a plain IOException; it is the
            // client's error all the same, and every endpoint already answers BadHttpRequestException with a 400.
            throw new BadHttpRequestException("Malformed request body", StatusCodes.Status400BadRequest, exception);
        }
    }
}
