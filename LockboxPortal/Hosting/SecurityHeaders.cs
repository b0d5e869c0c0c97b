using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace LockboxPortal.Hosting;

/// <summary>
/// <c>Security:Https:*</c>: whether plain HTTP is redirected to HTTPS, and whether HTTPS answers carry HSTS (on by
/// default outside Development).
/// </summary>
public sealed class HttpsOptions
{
    public bool Redirect { get; set; }

    public bool? Hsts { get; set; }

    public int HstsMaxAgeDays { get; set; } = 365;
}

/// <summary>
/// <c>Security:ForwardedHeaders:*</c>: the TLS-terminating proxies in front of the portal whose <c>X-Forwarded-For</c>
/// and <c>X-Forwarded-Proto</c> are believed. Only these: a header from anyone else is ignored, so nobody can claim
/// another address (and another rate-limit budget) or HTTPS.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public string[] KnownProxies { get; set; } = [];

    /// <summary>CIDR ranges, e.g. <c>10.0.0.0/8</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool IsEnabled => KnownProxies.Length > 0 || KnownNetworks.Length > 0;
}

/// <summary>
/// Headers every answer carries, pages, API answers, static files and redirects alike: a content security policy
/// (scripts only from the portal; inline styles, which MudBlazor sets on elements, allowed; no plugins; no framing by
/// other sites; forms post only here), no content-type sniffing, no referrer (request ids and tenant names stay in
/// this portal's addresses), and no powerful browser features the portal does not use. Behind a proxy, forwarded
/// headers from the known proxies make the request HTTPS, so cookies are <c>Secure</c>.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

    public static readonly IReadOnlyDictionary<string, string> Values = new Dictionary<string, string>
    {
        ["Content-Security-Policy"] = ContentSecurityPolicy,
        ["X-Content-Type-Options"] = "nosniff",
        ["Referrer-Policy"] = "no-referrer",
        ["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ["X-Frame-Options"] = "SAMEORIGIN",
    };

    public static IServiceCollection AddLockboxWebSecurity(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var https = configuration.GetSection("Security:Https").Get<HttpsOptions>() ?? new HttpsOptions();
        services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(https.HstsMaxAgeDays);
            options.IncludeSubDomains = false;
            // The defaults leave out localhost; here the proxy decides which host the portal answers for.
            options.ExcludedHosts.Clear();
        });

        // The antiforgery cookie's default is never Secure; like the sign-in cookie, it is Secure whenever the request is HTTPS.
        services.AddAntiforgery(options => options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);

        var forwarded = configuration.GetSection("Security:ForwardedHeaders").Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in forwarded.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in forwarded.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>First in the pipeline: the proxy's view of the request, HTTPS redirection and HSTS, then the headers on every answer.</summary>
    public static WebApplication UseLockboxWebSecurity(this WebApplication app)
    {
        var forwarded = app.Configuration.GetSection("Security:ForwardedHeaders").Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();
        if (forwarded.IsEnabled)
        {
            app.UseForwardedHeaders();
        }

        var https = app.Configuration.GetSection("Security:Https").Get<HttpsOptions>() ?? new HttpsOptions();
        if (https.Redirect)
        {
            app.UseHttpsRedirection();
        }

        if (https.Hsts ?? !app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        // Signing in with the directory posts a form here that redirects to the directory, which the browser checks
        // against form-action too: the directory's origin is allowed, and only when the portal is set up for it.
        var policy = ContentSecurityPolicy;
        if (EntraSetup.IsConfigured(app.Configuration))
        {
            var directory = new Uri(app.Configuration[$"{EntraSetup.Section}:Instance"] ?? "https://login.microsoftonline.com/");
            policy = policy.Replace("form-action 'self'", $"form-action 'self' {directory.GetLeftPart(UriPartial.Authority)}", StringComparison.Ordinal);
        }

        // The interactive reference (Development only) runs its own inline scripts; it gets the headers but not the policy.
        var scalar = app.Environment.IsDevelopment() ? new PathString("/scalar") : (PathString?)null;
        app.Use((context, next) =>
        {
            var skipPolicy = scalar is { } path && context.Request.Path.StartsWithSegments(path);
            context.Response.OnStarting(() =>
            {
                foreach (var (name, value) in Values)
                {
                    if (name == "Content-Security-Policy")
                    {
                        // Blazor sets frame-ancestors alone on pages; this policy includes it, so it replaces that one.
                        if (!skipPolicy)
                        {
                            context.Response.Headers[name] = policy;
                        }

                        continue;
                    }

                    context.Response.Headers.TryAdd(name, value);
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
