using System.Net;
using System.Net.Sockets;
using System.Text;

namespace B24Mail.Fuzz;

/// <summary>One generated request: the exact bytes to write, and how to send them.</summary>
public sealed class FuzzRequest
{
    /// <summary>The grammar production that made it, e.g. <c>batch.xml</c>; statistics and examples are kept per kind.</summary>
    public required string Kind { get; init; }

    /// <summary>Written in order (a 16 MiB body is its own part, not copied into the head).</summary>
    public required IReadOnlyList<ReadOnlyMemory<byte>> Parts { get; init; }

    /// <summary>Broken framing: sent on a connection of its own, which is closed afterwards.</summary>
    public bool Fresh { get; init; }

    /// <summary>Shut down the sending side after the last byte, so the server sees the end of a truncated request.</summary>
    public bool HalfClose { get; init; }

    /// <summary>A HEAD request: its answer has no body whatever Content-Length says.</summary>
    public bool IsHead { get; init; }

    /// <summary>A very large body; at most a couple are in flight at once.</summary>
    public bool Heavy { get; init; }

    public long Index { get; set; }

    public long Length
    {
        get
        {
            long n = 0;
            foreach (var p in Parts) n += p.Length;
            return n;
        }
    }

    public byte[] ToArray()
    {
        var all = new byte[Length];
        var at = 0;
        foreach (var p in Parts)
        {
            p.Span.CopyTo(all.AsSpan(at));
            at += p.Length;
        }
        return all;
    }
}

public enum Framing
{
    /// <summary>Content-Length for a body (and 0 for a bodiless POST).</summary>
    Length,

    /// <summary>No framing header at all: the caller writes its own.</summary>
    None,

    /// <summary>Transfer-Encoding: chunked with well-formed chunks.</summary>
    Chunked,
}

public static class Http
{
    public static readonly Encoding Latin1 = Encoding.Latin1;
    public static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>
    /// Builds a request. <paramref name="target"/> and header lines are written as Latin-1 (one char, one
    /// byte), so a generator can put any byte there. A null <paramref name="host"/> omits the Host header.
    /// </summary>
    public static FuzzRequest Make(string kind, string method, string target, string? host, IEnumerable<string>? headers = null,
        byte[]? body = null, string? contentType = null, Framing framing = Framing.Length, bool fresh = false, bool halfClose = false,
        bool heavy = false, string version = "HTTP/1.1")
    {
        var head = new StringBuilder(256 + (host?.Length ?? 0));
        head.Append(method).Append(' ').Append(target).Append(' ').Append(version).Append("\r\n");
        if (host is not null) head.Append("Host: ").Append(host).Append("\r\n");
        if (contentType is not null) head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        if (headers is not null)
        {
            foreach (var h in headers) head.Append(h).Append("\r\n");
        }
        var parts = new List<ReadOnlyMemory<byte>>(3);
        switch (framing)
        {
            case Framing.Length:
                if (body is not null) head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                else if (method is "POST" or "PUT" or "PATCH") head.Append("Content-Length: 0\r\n");
                head.Append("\r\n");
                parts.Add(Latin1.GetBytes(head.ToString()));
                if (body is { Length: > 0 }) parts.Add(body);
                break;
            case Framing.None:
                head.Append("\r\n");
                parts.Add(Latin1.GetBytes(head.ToString()));
                if (body is { Length: > 0 }) parts.Add(body);
                break;
            case Framing.Chunked:
                head.Append("Transfer-Encoding: chunked\r\n\r\n");
                parts.Add(Latin1.GetBytes(head.ToString()));
                parts.Add(Chunk(body ?? []));
                break;
        }
        return new FuzzRequest { Kind = kind, Parts = parts, Fresh = fresh, HalfClose = halfClose, IsHead = method == "HEAD", Heavy = heavy };
    }

    /// <summary>A body in well-formed chunks of up to 4 KiB, with the closing zero chunk.</summary>
    public static byte[] Chunk(byte[] body)
    {
        var ms = new MemoryStream(body.Length + 64);
        for (var at = 0; at < body.Length; at += 4096)
        {
            var n = Math.Min(4096, body.Length - at);
            ms.Write(Latin1.GetBytes(n.ToString("x") + "\r\n"));
            ms.Write(body, at, n);
            ms.Write("\r\n"u8);
        }
        ms.Write("0\r\n\r\n"u8);
        return ms.ToArray();
    }

    /// <summary>PHP's urlencode: UTF-8, letters, digits and <c>-_.</c> kept, space as <c>+</c>.</summary>
    public static string UrlEncode(string s, bool plusForSpace = true)
    {
        var sb = new StringBuilder(s.Length + 16);
        foreach (var b in Utf8.GetBytes(s))
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.') sb.Append((char)b);
            else if (b == ' ' && plusForSpace) sb.Append('+');
            else sb.Append('%').Append(b.ToString("X2"));
        }
        return sb.ToString();
    }
}

/// <summary>What came back for one request.</summary>
public readonly record struct HttpAnswer(int Status, bool Close, byte[] BodyStart, string Head);

/// <summary>
/// A plain TCP connection that writes raw bytes and reads HTTP/1.1 answers (Content-Length, chunked, or
/// up to the close; 1xx skipped), keeping only the start of each body.
/// </summary>
public sealed class RawConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;

    private RawConnection(Socket socket) => _socket = socket;

    public static async Task<RawConnection> OpenAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new RawConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(FuzzRequest request, CancellationToken cancellationToken)
    {
        foreach (var part in request.Parts)
        {
            var rest = part;
            while (!rest.IsEmpty)
            {
                var n = await _socket.SendAsync(rest, SocketFlags.None, cancellationToken);
                rest = rest[n..];
            }
        }
        if (request.HalfClose) _socket.Shutdown(SocketShutdown.Send);
    }

    public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        var rest = bytes.AsMemory();
        while (!rest.IsEmpty)
        {
            var n = await _socket.SendAsync(rest, SocketFlags.None, cancellationToken);
            rest = rest[n..];
        }
    }

    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Reads more bytes into the buffer; false at the end of the stream.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                if (_buffer.Length >= 1 << 20) throw new InvalidDataException("an answer's head is over 1 MiB");
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
        var n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (n == 0) return false;
        _end += n;
        return true;
    }

    /// <summary>Null when the connection ended before the first byte of an answer.</summary>
    public async Task<HttpAnswer?> ReadAnswerAsync(bool head, CancellationToken cancellationToken, int keep = 2048)
    {
        while (true)
        {
            int headerEnd;
            while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (_end - _start >= 5 && !_buffer.AsSpan(_start, 5).SequenceEqual("HTTP/"u8)) throw new InvalidDataException("not an HTTP/1 answer");
                if (!await FillAsync(cancellationToken))
                {
                    if (_end == _start) return null;
                    throw new EndOfStreamException("the connection ended inside an answer's head");
                }
            }
            var headText = Encoding.Latin1.GetString(_buffer, _start, headerEnd);
            _start += headerEnd + 4;
            var status = ParseStatus(headText);
            long? length = null;
            var chunked = false;
            var close = headText.StartsWith("HTTP/1.0", StringComparison.Ordinal);
            foreach (var line in headText.Split("\r\n").Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon <= 0) continue;
                var name = line.AsSpan(0, colon).Trim();
                var value = line.AsSpan(colon + 1).Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && long.TryParse(value, out var l)) length = l;
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase)) chunked = true;
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                {
                    if (value.Contains("close", StringComparison.OrdinalIgnoreCase)) close = true;
                    else if (value.Contains("keep-alive", StringComparison.OrdinalIgnoreCase)) close = false;
                }
            }
            if (status is >= 100 and < 200) continue;
            var kept = new MemoryStream();
            if (head || status is 204 or 304)
            {
            }
            else if (chunked)
            {
                await ReadChunkedAsync(kept, keep, cancellationToken);
            }
            else if (length is { } n)
            {
                await SkipAsync(n, kept, keep, cancellationToken);
            }
            else
            {
                // No framing: the body runs to the close.
                while (true)
                {
                    Keep(kept, keep, _end - _start);
                    _start = _end;
                    if (!await FillAsync(cancellationToken)) break;
                }
                close = true;
            }
            return new HttpAnswer(status, close, kept.ToArray(), headText);
        }
    }

    private void Keep(MemoryStream kept, int keep, int count)
    {
        var room = (int)Math.Min(count, keep - kept.Length);
        if (room > 0) kept.Write(_buffer, _start, room);
    }

    private async Task SkipAsync(long count, MemoryStream kept, int keep, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken)) throw new EndOfStreamException("the connection ended inside an answer's body");
            var n = (int)Math.Min(count, _end - _start);
            Keep(kept, keep, n);
            _start += n;
            count -= n;
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int at;
        while ((at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            if (!await FillAsync(cancellationToken)) throw new EndOfStreamException("the connection ended inside a chunked answer");
        }
        var line = Encoding.Latin1.GetString(_buffer, _start, at);
        _start += at + 2;
        return line;
    }

    private async Task ReadChunkedAsync(MemoryStream kept, int keep, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            var semi = line.IndexOf(';');
            var size = Convert.ToInt64((semi < 0 ? line : line[..semi]).Trim(), 16);
            if (size == 0)
            {
                while ((await ReadLineAsync(cancellationToken)).Length > 0)
                {
                }
                return;
            }
            await SkipAsync(size, kept, keep, cancellationToken);
            await ReadLineAsync(cancellationToken);
        }
    }

    private static int ParseStatus(string head)
    {
        // "HTTP/1.1 200 OK"
        if (head.Length >= 12 && head.StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(head.AsSpan(9, 3), out var status)) return status;
        throw new InvalidDataException("not an HTTP answer: " + head[..Math.Min(40, head.Length)]);
    }

    public void Dispose() => _socket.Dispose();
}
