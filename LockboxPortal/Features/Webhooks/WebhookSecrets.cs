using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace LockboxPortal.Features.Webhooks;

/// <summary>
/// An endpoint's signing secret: 32 random bytes in the Standard Webhooks form <c>whsec_</c> + base64, which stock
/// libraries accept as it is. The portal must sign with it, so it is kept protected with Data Protection (not hashed).
/// </summary>
public static class WebhookSecrets
{
    private const string Purpose = "LockboxPortal.WebhookSecrets.v1";

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Protect(IDataProtectionProvider provider, string secret) => provider.CreateProtector(Purpose).Protect(secret);

    public static string Unprotect(IDataProtectionProvider provider, string protectedSecret) => provider.CreateProtector(Purpose).Unprotect(protectedSecret);
}
