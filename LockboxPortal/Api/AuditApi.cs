using System.Security.Cryptography.X509Certificates;

namespace LockboxPortal.Api;

/// <summary>The public half of the key that signs audit checkpoints, for customers who verify their trail offline.</summary>
public static class AuditApi
{
    /// <summary>A JWKS-shaped document with the one RSA key (and its certificate), so stock JOSE libraries read it too.</summary>
    public sealed record CheckpointKeys(IReadOnlyList<CheckpointKey> Keys);

    public sealed record CheckpointKey(string Kty, string Use, string Alg, string Kid, string N, string E, IReadOnlyList<string> X5c, string PublicKeyPem);

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/audit/checkpoint-key", (PortalCertificate certificate) => TypedResults.Ok(new CheckpointKeys(
            [
                new CheckpointKey("RSA", "sig", "RS256", certificate.KeyId, certificate.Modulus, certificate.Exponent,
                    [Convert.ToBase64String(certificate.Certificate.Export(X509ContentType.Cert))], certificate.Rsa.ExportSubjectPublicKeyInfoPem()),
            ])))
            .WithTags("Audit")
            .WithName("CheckpointKey")
            .WithSummary("The public key that verifies the signed checkpoints of the audit chains (docs/audit-trail.md).")
            .RequireRateLimiting(ApiSetup.RateLimitPolicy)
            .AllowAnonymous();
        return endpoints;
    }
}
