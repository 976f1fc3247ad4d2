using SkiaSharp;

namespace B24Mail.MailServices.Icons;

/// <summary>
/// Decodes the content in full with Skia and accepts only PNG, JPEG, GIF and WebP. SVG is refused:
/// it is a document that can carry script, not an image. The header's size is checked before the pixels
/// are decoded, so a small file that claims a huge canvas costs nothing.
/// </summary>
public static class ImageCheck
{
    private static readonly Dictionary<SKEncodedImageFormat, (string ContentType, string Extension)> Formats = new()
    {
        [SKEncodedImageFormat.Png] = ("image/png", ".png"),
        [SKEncodedImageFormat.Jpeg] = ("image/jpeg", ".jpg"),
        [SKEncodedImageFormat.Gif] = ("image/gif", ".gif"),
        [SKEncodedImageFormat.Webp] = ("image/webp", ".webp"),
    };

    /// <summary>
    /// Decodes at once, at most one per core: a small file of the largest allowed canvas decodes into 16 MB of
    /// pixels, so uploads in parallel would otherwise multiply that by however many a client sends together.
    /// </summary>
    private static readonly SemaphoreSlim Decoders = new(Environment.ProcessorCount);

    public static CheckedImage? Check(byte[] content, IconPolicy policy)
    {
        if (content.Length == 0 || content.Length > policy.MaxBytes) return null;
        Decoders.Wait();
        try
        {
            return Decode(content, policy);
        }
        finally
        {
            Decoders.Release();
        }
    }

    private static CheckedImage? Decode(byte[] content, IconPolicy policy)
    {
        try
        {
            using var data = SKData.CreateCopy(content);
            using var codec = SKCodec.Create(data);
            if (codec is null || !Formats.TryGetValue(codec.EncodedFormat, out var format)) return null;
            var info = codec.Info;
            if (info.Width <= 0 || info.Height <= 0 || info.Width > policy.MaxDimension || info.Height > policy.MaxDimension) return null;
            using var bitmap = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
            var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
            if (result != SKCodecResult.Success) return null;
            return new CheckedImage(format.ContentType, format.Extension, info.Width, info.Height);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
