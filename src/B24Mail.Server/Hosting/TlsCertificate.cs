using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using B24Mail.Storage.Files;

namespace B24Mail.Server.Hosting;

/// <summary>
/// The certificate Kestrel serves HTTPS with: the operator's own, or a self-signed one made on first
/// start in the data folder. Its PEM copy is what clients trust (curl --cacert, NODE_EXTRA_CA_CERTS).
/// </summary>
public static class TlsCertificate
{
    public static string PemPath(ServerSettings settings) => Path.Combine(settings.DataPath, "tls", "server.crt");

    private static string PfxPath(ServerSettings settings) => Path.Combine(settings.DataPath, "tls", "server.pfx");

    public static X509Certificate2 Load(ServerSettings settings, TimeProvider time)
    {
        if (!string.IsNullOrEmpty(settings.TlsCert))
        {
            return settings.TlsKey is { Length: > 0 } key
                ? X509Certificate2.CreateFromPemFile(settings.TlsCert, key)
                : X509CertificateLoader.LoadPkcs12FromFile(settings.TlsCert, settings.TlsPassword);
        }
        var pfx = PfxPath(settings);
        if (!File.Exists(pfx)) Create(settings, time);
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(pfx, password: null);
        var pem = certificate.ExportCertificatePem() + "\n";
        if (!File.Exists(PemPath(settings)) || File.ReadAllText(PemPath(settings)) != pem) File.WriteAllText(PemPath(settings), pem);
        return certificate;
    }

    private static void Create(ServerSettings settings, TimeProvider time)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=b24mail local", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(settings.Domain);
        names.AddDnsName(Dns.GetHostName());
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        // Self-signed and its own CA, so clients can trust it directly as a root.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        // Another process may have made one meanwhile; the first one in wins, and Load writes the PEM from it.
        // Durable, as a half-written key would stop every later start.
        try
        {
            DurableFile.Write(PfxPath(settings), certificate.Export(X509ContentType.Pfx), overwrite: false, mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (IOException) when (File.Exists(PfxPath(settings)))
        {
        }
    }
}
