namespace LockboxPortal.Features.Notifications;

public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
}

/// <summary>The <c>Email</c> settings: <c>Email:Smtp:*</c> and <c>Email:From</c>. No email at all while the host is empty.</summary>
public sealed class EmailSettings
{
    public const string Section = "Email";

    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>The sender, e.g. <c>LockboxPortal &lt;lockbox@example.com&gt;</c>.</summary>
    public string From { get; set; } = "LockboxPortal <lockbox@localhost>";

    public bool Enabled => !string.IsNullOrWhiteSpace(Smtp.Host);
}

public sealed class SmtpSettings
{
    public string? Host { get; set; }

    /// <summary>0 means the security mode's usual port: 25, 587 for STARTTLS, 465 for TLS on connect.</summary>
    public int Port { get; set; }

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public int EffectivePort => Port > 0 ? Port : Security switch
    {
        SmtpSecurity.SslOnConnect => 465,
        SmtpSecurity.StartTls => 587,
        _ => 25,
    };
}

/// <summary><c>Portal:PublicUrl</c>: where people open the portal, for the links in messages.</summary>
public sealed class PortalSettings
{
    public const string Section = "Portal";

    public string? PublicUrl { get; set; }

    /// <summary>The absolute link to a page, or null when no public address is configured.</summary>
    public string? LinkTo(string path) =>
        string.IsNullOrWhiteSpace(PublicUrl) ? null : PublicUrl.TrimEnd('/') + path;
}
