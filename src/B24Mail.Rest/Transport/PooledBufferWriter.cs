using System.Buffers;

namespace B24Mail.Rest.Transport;

/// <summary>
/// A growing byte buffer whose arrays come from the shared pool. An answer body is built in one before its
/// length is known; a list of a thousand rows is some 300 KB, and a new array of that size per answer is a
/// large-object allocation that only a full collection gives back.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private byte[] _array;
    private int _written;

    public PooledBufferWriter(int initialCapacity) => _array = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int WrittenCount => _written;

    public int Capacity => _array.Length;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _array.Length) throw new InvalidOperationException("Advanced past the buffer.");
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    /// <summary>Empties the buffer; one grown past <paramref name="keepUpTo"/> gives its array back for a small one.</summary>
    public void Reset(int keepUpTo)
    {
        _written = 0;
        if (_array.Length <= keepUpTo) return;
        var large = _array;
        _array = ArrayPool<byte>.Shared.Rent(keepUpTo);
        ArrayPool<byte>.Shared.Return(large);
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _array.Length) return;
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, checked(_array.Length * 2)));
        WrittenSpan.CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_array);
        _array = grown;
    }
}
