using System.Text;
using System.Text.Json;

namespace B24Mail.Fuzz;

/// <summary>
/// Keeps the fuzzed portal's directory at a realistic size. About one request in thirty adds a service, so a
/// million requests would leave tens of thousands, and every <c>list</c> (fifty of them in a batch) would then
/// measure the size of the data rather than how the server meets bad input. At each phase start the services
/// added since the last one are deleted but the newest <see cref="Keep"/>; the presets (IDs up to 8) stay. Its
/// requests are not counted in the run's figures.
/// </summary>
public sealed class Housekeeping(ServerProcess server, Credentials credentials)
{
    public const int Keep = 200;
    private long _clearedUpTo = 8;
    private readonly SemaphoreSlim _one = new(1, 1);

    public int Deleted { get; private set; }

    public async Task RunAsync()
    {
        if (!await _one.WaitAsync(0)) return;
        try
        {
            var newest = await NewestIdAsync();
            if (newest is not { } id) return;
            var upTo = id - Keep;
            for (var from = _clearedUpTo + 1; from <= upTo; from += 50)
            {
                var query = new StringBuilder();
                for (var x = from; x < Math.Min(from + 50, upTo + 1); x++) query.Append($"cmd%5Bd{x}%5D=mailservice.delete%3FID%3D{x}&");
                await server.Exchange(Http.Make("housekeeping", "POST", $"/rest/1/{credentials.AdminSecret}/batch", credentials.HostPort, null,
                    Http.Utf8.GetBytes(query.ToString()), "application/x-www-form-urlencoded"), 30_000);
                Deleted += (int)(Math.Min(from + 50, upTo + 1) - from);
            }
            _clearedUpTo = Math.Max(_clearedUpTo, upTo);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or JsonException or InvalidDataException)
        {
            // The server may be busy or gone; the next phase tries again, and the run reports what it saw.
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>Adds one service to learn the newest ID (IDs only grow); it is one of the newest kept.</summary>
    private async Task<long?> NewestIdAsync()
    {
        var answer = await server.Exchange(Http.Make("housekeeping", "POST", $"/rest/1/{credentials.AdminSecret}/mailservice.add", credentials.HostPort, null,
            Http.Utf8.GetBytes("NAME=housekeeping"), "application/x-www-form-urlencoded"), 30_000);
        if (answer is not { Status: 200 } ok) return null;
        using var json = JsonDocument.Parse(ok.BodyStart);
        return json.RootElement.GetProperty("result").GetInt64();
    }
}
