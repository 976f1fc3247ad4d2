namespace B24Mail.Fuzz;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Each request gets its own generator from (run seed, request index),
/// so a request's shape depends only on those two numbers, never on which connection sent it or when.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    public Rng(ulong seed, ulong stream = 0)
    {
        var x = seed ^ (stream * 0x9E3779B97F4A7C15UL) ^ 0xD1B54A32D192ED03UL;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong Next()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>0 ≤ result &lt; n.</summary>
    public int Int(int n) => n <= 1 ? 0 : (int)(Next() % (ulong)n);

    /// <summary>lo ≤ result ≤ hi.</summary>
    public int Range(int lo, int hi) => lo + Int(hi - lo + 1);

    public bool Chance(double p) => (Next() >> 11) * (1.0 / (1UL << 53)) < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Int(items.Count)];

    public T Pick<T>(params T[] items) => items[Int(items.Length)];

    /// <summary>A size skewed towards small values: mostly a few, sometimes up to <paramref name="max"/>.</summary>
    public int Skewed(int max)
    {
        var bits = Int(BitLength(max) + 1);
        return Math.Min(max, Int(1 << Math.Min(bits, 30)));
    }

    private static int BitLength(int n) => n <= 0 ? 0 : 32 - int.LeadingZeroCount(n);

    public void Fill(Span<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)Next();
    }

    private const string Alnum = "abcdefghijklmnopqrstuvwxyz0123456789";

    public string Secret(int length = 16)
    {
        return string.Create(length, this, (span, rng) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = Alnum[rng.Int(Alnum.Length)];
        });
    }
}
