using B24Mail.Rest.Transport;

namespace B24Mail.Tests.Unit;

/// <summary>The answer buffer: grows keeping what was written, and gives a large array back when reset.</summary>
public class PooledBufferWriterTests
{
    [Fact]
    public void Growing_keeps_every_byte_written()
    {
        var buffer = new PooledBufferWriter(16);
        var expected = new List<byte>();
        for (var i = 0; i < 5000; i++)
        {
            var span = buffer.GetSpan(i % 97);
            Assert.True(span.Length >= Math.Max(1, i % 97));
            var count = i % 97;
            for (var j = 0; j < count; j++) span[j] = (byte)(i + j);
            buffer.Advance(count);
            for (var j = 0; j < count; j++) expected.Add((byte)(i + j));
        }
        Assert.Equal(expected.Count, buffer.WrittenCount);
        Assert.Equal(expected.ToArray(), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Reset_empties_it_and_lets_a_large_array_go()
    {
        var buffer = new PooledBufferWriter(1024);
        buffer.Advance(buffer.GetSpan(300_000).Length);
        Assert.True(buffer.Capacity >= 300_000);
        buffer.Reset(64 * 1024);
        Assert.Equal(0, buffer.WrittenCount);
        Assert.True(buffer.Capacity <= 64 * 1024);
        // A small one is kept as it is.
        buffer.Advance(10);
        var small = buffer.Capacity;
        buffer.Reset(64 * 1024);
        Assert.Equal(small, buffer.Capacity);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Advancing_past_the_buffer_is_refused()
    {
        var buffer = new PooledBufferWriter(16);
        var length = buffer.GetSpan().Length;
        Assert.Throws<InvalidOperationException>(() => buffer.Advance(length + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(-1));
    }
}
