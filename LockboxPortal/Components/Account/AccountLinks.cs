namespace LockboxPortal.Components.Account;

public static class AccountLinks
{
    /// <summary>Only local paths: an attacker's link must not bounce a fresh session to another site.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\") ? url : "/";

    /// <summary>A sign-in step's address, carrying where to go afterwards.</summary>
    public static string WithReturnUrl(string path, string? returnUrl) =>
        $"{path}?ReturnUrl={Uri.EscapeDataString(SafeReturnUrl(returnUrl))}";
}
