using System.Text.Json;

namespace B24Mail.Server.ControlPlane;

/// <summary>A small JSON request body (a rule, a clock setting, a portal's state), or the problem to answer when it is not one.</summary>
public static class RequestJson
{
    public const int MaxBytes = 64 * 1024;

    public static async Task<(JsonDocument? Document, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes) return (null, ControlPlane.Problem.Of(StatusCodes.Status413PayloadTooLarge, $"The body takes at most {MaxBytes} bytes."));
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return (null, ControlPlane.Problem.Of(StatusCodes.Status413PayloadTooLarge, $"The body takes at most {MaxBytes} bytes."));
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return (JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 16 }), null);
        }
        catch (JsonException exception)
        {
            return (null, ControlPlane.Problem.Of(StatusCodes.Status400BadRequest, "The body is not JSON: " + exception.Message));
        }
    }

    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) write(json);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
