using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace B24Mail.Fuzz;

/// <summary>
/// Sends saved example requests (<c>examples/**/*.http</c>) to a fresh server. The secrets of the run that
/// saved them (<c>fuzz.credentials.json</c> beside <c>examples/</c>) are swapped for the new server's where
/// both are the same length, so Content-Length stays right.
/// </summary>
public static class Replay
{
    public static async Task<int> RunAsync(Options o, string work)
    {
        var files = o.Replay.SelectMany<string, string>(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*.http", SearchOption.AllDirectories).Order() : [p]).ToList();
        if (files.Count == 0)
        {
            Console.Error.WriteLine("replay: no .http files");
            return 2;
        }
        var dir = Path.Combine(work, "replay");
        Directory.CreateDirectory(dir);
        await using var server = await ServerProcess.StartAsync(o.Bin, dir, TimeSpan.FromSeconds(60));
        var fresh = await server.ProvisionAsync();
        fresh.IconPath = await server.MakeIconAsync(fresh);
        var now = fresh.Named().ToDictionary(n => n.Role, n => n.Value);
        Console.WriteLine($"replay: {files.Count} requests to {o.Bin} on {server.BaseUrl}");
        var fivehundreds = 0;
        foreach (var file in files)
        {
            var text = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file));
            var then = FindCredentials(file);
            foreach (var (role, old) in then)
            {
                if (now.TryGetValue(role, out var value) && value.Length == old.Length) text = text.Replace(old, value, StringComparison.Ordinal);
            }
            var request = new FuzzRequest { Kind = "replay", Parts = [Encoding.Latin1.GetBytes(text)], Fresh = true };
            var line = await SendAsync(server, request);
            if (line.StartsWith("HTTP/1.1 500", StringComparison.Ordinal)) fivehundreds++;
            Console.WriteLine($"{Path.GetFileName(file)}: {line}");
        }
        await Task.Delay(500);
        server.FlushLog();
        Console.WriteLine($"replay: {fivehundreds} answers were 500; {server.StackTraces} stack traces in the server log");
        foreach (var (head, count, sample) in server.TraceKinds.Take(5)) Console.WriteLine($"  {count} x {head}\n{sample}\n");
        return fivehundreds == 0 && server.StackTraces == 0 ? 0 : 1;
    }

    private static Dictionary<string, string> FindCredentials(string file)
    {
        for (var d = Path.GetDirectoryName(file); d is not null; d = Path.GetDirectoryName(d))
        {
            var path = Path.Combine(d, "fuzz.credentials.json");
            if (File.Exists(path)) return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? [];
        }
        return [];
    }

    /// <summary>Sends the bytes; if no answer comes within 5 s, shuts the sending side and waits 5 s more.</summary>
    private static async Task<string> SendAsync(ServerProcess server, FuzzRequest request)
    {
        try
        {
            using var conn = await RawConnection.OpenAsync(server.Endpoint, CancellationToken.None);
            try
            {
                await conn.SendAsync(request, CancellationToken.None);
            }
            catch (SocketException)
            {
            }
            var read = conn.ReadAnswerAsync(false, CancellationToken.None, keep: 300);
            if (await Task.WhenAny(read, Task.Delay(5000)) != read)
            {
                conn.ShutdownSend();
                if (await Task.WhenAny(read, Task.Delay(5000)) != read) return "no answer in 10 s";
            }
            var answer = await read;
            return answer is null ? "closed without an answer" : answer.Value.Head.Split("\r\n")[0] + "  " + Encoding.UTF8.GetString(answer.Value.BodyStart).ReplaceLineEndings(" ");
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
        {
            return "connection error: " + e.Message;
        }
    }
}
