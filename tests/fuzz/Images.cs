using System.IO.Compression;
using System.Text;

namespace B24Mail.Fuzz;

/// <summary>Logo contents: real tiny images, and images whose headers claim what their data cannot back.</summary>
public static class Images
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    private static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    private static void WriteChunk(MemoryStream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> be = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(be, (uint)data.Length);
        png.Write(be);
        var typed = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typed);
        data.CopyTo(typed.AsSpan(4));
        png.Write(typed);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(be, Crc(typed));
        png.Write(be);
    }

    /// <summary>
    /// A PNG of <paramref name="width"/> × <paramref name="height"/> RGBA pixels. With <paramref name="rows"/>
    /// smaller than the height, the pixel data stops early: the header claims more than there is.
    /// </summary>
    public static byte[] Png(uint width, uint height, int? rows = null)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 6; // RGBA
        WriteChunk(png, "IHDR", ihdr);
        var lines = (int)Math.Min(rows ?? (int)height, height);
        var rowBytes = (int)Math.Min(width, 4096) * 4 + 1;
        var raw = new byte[Math.Min((long)rowBytes * lines, 1 << 20)];
        for (var i = 0; i < raw.Length; i++) raw[i] = (byte)(i % rowBytes == 0 ? 0 : 0x7F);
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zs.Write(raw);
        WriteChunk(png, "IDAT", z.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    public static readonly byte[] TinyPng = Png(1, 1);

    /// <summary>A GIF whose screen and image claim <paramref name="width"/> × <paramref name="height"/>, with one pixel of data.</summary>
    public static byte[] Gif(ushort width, ushort height)
    {
        var g = new MemoryStream();
        g.Write("GIF89a"u8);
        g.Write(BitConverter.GetBytes(width));
        g.Write(BitConverter.GetBytes(height));
        g.Write([0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]); // global colour table of two entries
        g.Write([0x2C, 0, 0, 0, 0]);
        g.Write(BitConverter.GetBytes(width));
        g.Write(BitConverter.GetBytes(height));
        g.Write([0, 2, 2, 0x4C, 0x01, 0, 0x3B]);
        return g.ToArray();
    }

    public static readonly byte[] TinyGif = Gif(1, 1);

    /// <summary>A JPEG start with a frame header claiming the size, then nothing useful.</summary>
    public static byte[] JpegClaim(ushort width, ushort height)
    {
        var j = new MemoryStream();
        j.Write([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08]);
        j.Write([(byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width]);
        j.Write([0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xD9]);
        return j.ToArray();
    }

    public static readonly byte[] Svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script><rect width=\"10\" height=\"10\"/></svg>"u8.ToArray();

    public static readonly byte[] WebpClaim = [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WEBPVP8 "u8, 0x18, 0, 0, 0, 0x30, 0x01, 0, 0x9D, 0x01, 0x2A, 0xFF, 0x3F, 0xFF, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly byte[][] Fixed =
    [
        TinyPng, TinyGif, Png(16, 16), Png(2048, 2048, rows: 2), Png(2049, 1), Png(1, 2049), Png(65535, 65535, rows: 1),
        Png(100000, 100000, rows: 1), Png(0x7FFFFFFF, 1, rows: 1), Png(0, 0), Png(2048, 2048, rows: 0), Gif(65535, 65535), Gif(2048, 2048), Gif(0, 0),
        JpegClaim(65500, 65500), JpegClaim(2048, 2048), Svg, WebpClaim, [], [0x89, (byte)'P', (byte)'N', (byte)'G'], "GIF89a"u8.ToArray(),
        [0xFF, 0xD8, 0xFF],
    ];

    /// <summary>An image-ish content: real, claiming huge dimensions, truncated, SVG, or noise.</summary>
    public static byte[] Pick(Rng rng)
    {
        switch (rng.Int(10))
        {
            case 0:
            {
                var noise = new byte[rng.Skewed(4096)];
                rng.Fill(noise);
                return noise;
            }
            case 1:
            {
                // A real image cut short or with a byte flipped.
                var image = (byte[])rng.Pick(TinyPng, TinyGif, Fixed[2]).Clone();
                if (rng.Chance(0.5)) return image[..rng.Int(image.Length)];
                image[rng.Int(image.Length)] ^= (byte)(1 << rng.Int(8));
                return image;
            }
            case 2 or 3 or 4:
                return TinyPng;
            default:
                return rng.Pick(Fixed);
        }
    }
}
