using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using System.Buffers.Text;

namespace LockboxPortal.Common;

/// <summary>
/// The portal's one certificate (<c>Security:Certificate:Path</c>, a PFX file, and <c>Security:Certificate:Password</c>).
/// Its RSA key encrypts the Data Protection keys at rest (and so the grant-token signing key they protect) and signs
/// the audit checkpoints. The database never holds it: a copy of the data folder or of the database alone hands out
/// neither the cookie keys nor the power to sign a checkpoint.
/// </summary>
/// <remarks>
/// Outside Development the portal refuses to start without one. In Development, when none is named, one is made on
/// first start and kept beside the data (<see cref="DevelopmentFileName"/>), so restarts keep their keys.
/// </remarks>
public sealed class PortalCertificate
{
    public const string PathKey = "Security:Certificate:Path";
    public const string PasswordKey = "Security:Certificate:Password";
    public const string DevelopmentFileName = "development-certificate.pfx";

    /// <summary>The one command that makes a certificate the portal accepts (a self-signed RSA 3072 certificate in a PFX file).</summary>
    public const string OpensslCommand =
        "openssl req -x509 -newkey rsa:3072 -sha256 -days 825 -noenc -subj \"/CN=LockboxPortal\" -keyout /dev/stdout -out /dev/stdout 2>/dev/null"
        + " | openssl pkcs12 -export -out lockbox.pfx -passout pass:CHOOSE-A-PASSWORD";

    private PortalCertificate(X509Certificate2 certificate)
    {
        Certificate = certificate;
        Rsa = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException(
            $"The certificate {certificate.Subject} has no RSA private key. Make one with:{Environment.NewLine}  {OpensslCommand}");
        var parameters = Rsa.ExportParameters(includePrivateParameters: false);
        Modulus = Base64Url.EncodeToString(parameters.Modulus);
        Exponent = Base64Url.EncodeToString(parameters.Exponent);
        KeyId = Base64Url.EncodeToString(SHA256.HashData(certificate.GetPublicKey()))[..16];
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The private key; it signs, it is never written anywhere.</summary>
    internal RSA Rsa { get; }

    /// <summary>A short id of the public key (the first 16 characters of the base64url SHA-256 of its encoding).</summary>
    public string KeyId { get; }

    /// <summary>The public key's modulus, base64url (as in a JWK's <c>n</c>).</summary>
    public string Modulus { get; }

    /// <summary>The public key's exponent, base64url (as in a JWK's <c>e</c>).</summary>
    public string Exponent { get; }

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256"): a verifier needs nothing but the modulus and the exponent.</summary>
    public byte[] Sign(byte[] data) => Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public bool Verify(byte[] data, byte[] signature) => Rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>
    /// The certificate the configuration names; in Development, when none is named, the one beside the data (made on
    /// first start). Anywhere else without one: an exception whose message says how to make one.
    /// </summary>
    public static PortalCertificate Load(IConfiguration configuration, IHostEnvironment environment, string dataFolder)
    {
        var path = configuration[PathKey];
        var password = configuration[PasswordKey];
        if (string.IsNullOrWhiteSpace(path))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"LockboxPortal needs a certificate outside Development: it encrypts the cookie and signing keys at rest and signs the audit checkpoints. "
                    + $"Make one with{Environment.NewLine}  {OpensslCommand}{Environment.NewLine}"
                    + $"then set {PathKey} to the file and {PasswordKey} to its password (e.g. Security__Certificate__Path and Security__Certificate__Password in the environment).");
            }

            path = Path.Combine(dataFolder, DevelopmentFileName);
            password = null;
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(dataFolder);
                File.WriteAllBytes(path, CreateSelfSigned("LockboxPortal development"));
            }
        }

        path = Path.GetFullPath(path, environment.ContentRootPath);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{PathKey} names {path}, which does not exist. Make a certificate with{Environment.NewLine}  {OpensslCommand}");
        }

        try
        {
            return new PortalCertificate(X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet));
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"The certificate {path} could not be opened (is {PasswordKey} right?): {ex.Message}", ex);
        }
    }

    /// <summary>A self-signed RSA certificate as PFX bytes (Development, where it is made on first start, and the tests).</summary>
    public static byte[] CreateSelfSigned(string subject, string? password = null, int keySize = 2048)
    {
        using var rsa = RSA.Create(keySize);
        var request = new CertificateRequest($"CN={subject}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: false));
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        return certificate.Export(X509ContentType.Pfx, password);
    }

    /// <summary>Encrypts the key ring with this certificate, and decrypts with it without looking in a certificate store.</summary>
    public void ProtectKeys(IDataProtectionBuilder dataProtection) =>
        dataProtection.ProtectKeysWithCertificate(Certificate).UnprotectKeysWithAnyCertificate(Certificate);
}
