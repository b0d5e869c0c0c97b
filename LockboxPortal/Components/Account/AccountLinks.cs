using System.Text;

namespace LockboxPortal.Components.Account;

public static class AccountLinks
{
    /// <summary>
    /// Only local paths: an attacker's link must not bounce a fresh session to another site. Characters outside ASCII
    /// are percent-encoded (UTF-8), because the answer carries the address in a <c>Location</c> header, which may hold
    /// only ASCII; a control character makes the address unusable, so it leads home.
    /// </summary>
    public static string SafeReturnUrl(string? returnUrl)
    {
        if (returnUrl is not { Length: > 0 } url || !url.StartsWith('/') || url.StartsWith("//") || url.StartsWith("/\\") || url.Any(char.IsControl))
        {
            return "/";
        }

        return url.All(char.IsAscii) ? url : EncodeNonAscii(url);
    }

    /// <summary>A sign-in step's address, carrying where to go afterwards.</summary>
    public static string WithReturnUrl(string path, string? returnUrl) =>
        $"{path}?ReturnUrl={Uri.EscapeDataString(SafeReturnUrl(returnUrl))}";

    private static string EncodeNonAscii(string url)
    {
        var text = new StringBuilder(url.Length * 2);
        foreach (var rune in url.EnumerateRunes())
        {
            text.Append(rune.IsAscii ? rune.ToString() : Uri.EscapeDataString(rune.ToString()));
        }

        return text.ToString();
    }
}
