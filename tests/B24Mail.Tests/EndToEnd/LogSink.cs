using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace B24Mail.Tests.EndToEnd;

/// <summary>One logged entry as an operator would read it: category, message and any exception with its stack trace.</summary>
public sealed record LogEntry(LogLevel Level, string Category, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category} {Message} {Exception}";
}

/// <summary>Keeps every entry the server logs, for tests that check what the log says (added through LiveServer's configure hook).</summary>
public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public IEnumerable<string> Lines => Entries.Select(e => e.ToString());

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue(new LogEntry(logLevel, category, formatter(state, exception), exception));
    }
}
