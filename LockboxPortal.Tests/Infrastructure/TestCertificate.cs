using LockboxPortal.Common;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// One certificate file for the test run (made once, never changed), for hosts outside Development, which refuse to
/// start without <c>Security:Certificate:Path</c>.
/// </summary>
public static class TestCertificate
{
    public const string Password = "test-certificate-password";

    private static readonly Lazy<string> File = new(() =>
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lockboxportal-tests", "certificates");
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"portal-{Environment.ProcessId}-{Guid.NewGuid():N}.pfx");
        System.IO.File.WriteAllBytes(path, PortalCertificate.CreateSelfSigned("LockboxPortal tests", Password));
        return path;
    });

    public static string Path => File.Value;

    /// <summary>The settings that name it.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new(PortalCertificate.PathKey, Path),
        new(PortalCertificate.PasswordKey, Password),
    ];
}
