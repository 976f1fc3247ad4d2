using System.Text.Json;

namespace B24Mail.Server.ControlPlane;

/// <summary>A small JSON request body (a rule, a clock setting, a portal's state), or the problem to answer when it is not one.</summary>
public static class RequestJson
{
    public const int MaxBytes = 64 * 1024;

    public static async Task<(JsonDocument? Document, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (bytes, problem) = await ReadBytesAsync(request, MaxBytes, cancellationToken);
        if (problem is not null) return (null, problem);
        try
        {
            return (JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 }), null);
        }
        catch (JsonException exception)
        {
            return (null, ControlPlane.Problem.Of(StatusCodes.Status400BadRequest, "The body is not JSON: " + exception.Message));
        }
    }

    /// <summary>
    /// The whole body if it is at most <paramref name="limit"/> bytes, else the 413 problem (naming <paramref name="setting"/>
    /// when a setting sets the limit). A body past --max-body-bytes sent without a length up front is stopped by Kestrel
    /// while it is read; that refusal gets the same problem rather than an empty 413.
    /// </summary>
    public static async Task<(byte[] Bytes, IResult? Problem)> ReadBytesAsync(HttpRequest request, long limit, CancellationToken cancellationToken, string? setting = null)
    {
        var tooLarge = ControlPlane.Problem.Of(StatusCodes.Status413PayloadTooLarge,
            $"The body takes at most {limit} bytes{(setting is null ? "" : $" ({setting})")}.");
        if (request.ContentLength > limit) return ([], tooLarge);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit) return ([], tooLarge);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ([], tooLarge);
        }
        return (buffer.ToArray(), null);
    }

    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) write(json);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
