namespace LockboxPortal.Hosting;

/// <summary>
/// Headers every answer carries, pages, API answers and static files alike: no content-type sniffing, no referrer
/// (request ids and tenant names stay in this portal's addresses), and no powerful browser features the portal does
/// not use. Blazor itself adds the <c>frame-ancestors</c> policy to pages.
/// </summary>
public static class SecurityHeaders
{
    public static readonly IReadOnlyDictionary<string, string> Values = new Dictionary<string, string>
    {
        ["X-Content-Type-Options"] = "nosniff",
        ["Referrer-Policy"] = "no-referrer",
        ["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ["X-Frame-Options"] = "SAMEORIGIN",
    };

    public static IApplicationBuilder UseLockboxSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                foreach (var (name, value) in Values)
                {
                    context.Response.Headers.TryAdd(name, value);
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
}
