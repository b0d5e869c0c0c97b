using System.Globalization;
using System.Security.Claims;

namespace LockboxPortal.Common;

/// <summary>
/// How a sign-in through a customer's Microsoft Entra directory shows on the portal's own cookie, and where to send
/// the person when a decision needs a newer sign-in than the one they have. The directory's <c>amr</c> and
/// <c>auth_time</c> are kept on the cookie as they came in the token, so the checks that read them for a local
/// sign-in (<c>amr=mfa</c>) read them the same way for a directory one.
/// </summary>
public static class DirectorySession
{
    /// <summary>The value of <see cref="ClaimTypes.AuthenticationMethod"/> on a cookie issued for a directory sign-in.</summary>
    public const string Method = "entra";

    /// <summary>When the directory last authenticated the person (OpenID Connect, unix seconds).</summary>
    public const string AuthTimeClaim = "auth_time";

    /// <summary>How the directory authenticated the person (<c>pwd</c>, <c>mfa</c>, ...), one claim per method.</summary>
    public const string MethodsClaim = "amr";

    public const string SignInAgainPath = "/account/entra/sign-in-again";

    public static bool IsDirectorySignIn(ClaimsPrincipal principal) =>
        principal.HasClaim(ClaimTypes.AuthenticationMethod, Method);

    /// <summary>When the directory last authenticated the person, or null for a local sign-in or a token without it.</summary>
    public static DateTimeOffset? AuthenticatedAt(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(AuthTimeClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>The address that signs the person in again at their directory and brings them back to <paramref name="returnUrl"/>.</summary>
    public static string SignInAgainUrl(string returnUrl) => $"{SignInAgainPath}?returnUrl={Uri.EscapeDataString(returnUrl)}";

    /// <summary>
    /// Where to send a directory-signed-in person whose decision was refused for want of a newer or stronger sign-in
    /// (no second factor, or an <c>auth_time</c> older than the tenant's fresh-factor window),
    /// or null when signing in again at the directory cannot help (a local sign-in, another refusal).
    /// </summary>
    public static string? SignInAgainFor(ClaimsPrincipal principal, LockboxRuleException refusal, string returnUrl) =>
        IsDirectorySignIn(principal) && refusal is SecondFactorRequiredException or FreshFactorException { Code: FreshFactorException.Stale or FreshFactorException.Missing }
            ? SignInAgainUrl(returnUrl)
            : null;
}
