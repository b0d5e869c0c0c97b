using System.Security.Claims;
using LockboxPortal.Components.Account;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace LockboxPortal.Hosting;

/// <summary>
/// Sign-in through Microsoft Entra ID (Microsoft.Identity.Web, a multi-tenant app registration) beside local
/// accounts. It is on only when the <c>AzureAd</c> section names a client id; otherwise the portal has no such
/// scheme, no endpoints for it and no button. The middleware does the protocol and signs the token's person into
/// Identity's external cookie; the callback maps them onto the portal (<see cref="DirectorySignIn"/>) and issues
/// the portal's own cookie, keeping the token's <c>amr</c> and <c>auth_time</c> on it.
/// </summary>
public static class EntraSetup
{
    public const string Section = "AzureAd";
    public const string Scheme = "Entra";
    public const string ProviderTenantIdKey = $"{Section}:ProviderTenantId";
    public const string SignInPath = "/account/entra/sign-in";
    public const string CallbackPath = "/account/entra/callback";
    public const string RefusedPath = "/account/entra/refused";

    /// <summary>An item on the challenge's properties asking the directory to authenticate the person again now.</summary>
    private const string AgainItem = "lockbox.sign-in-again";

    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[$"{Section}:ClientId"]);

    public static AuthenticationBuilder AddLockboxEntra(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        var providerTenant = configuration[ProviderTenantIdKey];
        authentication.Services.AddSingleton(new ProviderDirectory(Guid.TryParse(providerTenant, out var provider) ? provider : null));
        authentication.Services.AddSingleton(new EntraSignInOption(IsConfigured(configuration)));
        if (!IsConfigured(configuration))
        {
            return authentication;
        }

        if (!string.IsNullOrWhiteSpace(providerTenant) && provider == Guid.Empty)
        {
            throw new InvalidOperationException($"{ProviderTenantIdKey} must be the provider's Entra tenant id (a GUID).");
        }

        var section = configuration.GetSection(Section);
        var instance = (configuration[$"{Section}:Instance"] ?? "https://login.microsoftonline.com/").TrimEnd('/') + "/";
        authentication.AddMicrosoftIdentityWebApp(section, Scheme, cookieScheme: null, displayName: DirectorySignIn.LoginDisplayName);
        // After Microsoft.Identity.Web's own configuration and before the handler's post-configuration builds the metadata client.
        authentication.Services.Configure<OpenIdConnectOptions>(Scheme, options =>
        {
            // Always HTTPS against Entra; only the tests' local directory turns it off.
            options.RequireHttpsMetadata = section.GetValue("RequireHttpsMetadata", defaultValue: true);
            // Identity's external cookie holds the directory's person only until the callback has mapped them.
            options.SignInScheme = IdentityConstants.ExternalScheme;
            // The authorization code flow (with PKCE): the id token comes from the token endpoint, with the client secret.
            options.ResponseType = OpenIdConnectResponseType.Code;
            // Entra's multi-tenant issuer: each directory signs as {instance}{its tid}/v2.0, checked against the token's tid.
            options.TokenValidationParameters.ValidIssuers = [$"{instance}{{tenantid}}/v2.0"];

            var redirect = options.Events.OnRedirectToIdentityProvider;
            options.Events.OnRedirectToIdentityProvider = async context =>
            {
                if (context.Properties.Items.ContainsKey(AgainItem))
                {
                    context.ProtocolMessage.MaxAge = "0";
                    context.ProtocolMessage.Prompt = OpenIdConnectPrompt.Login;
                }

                await redirect(context);
            };
            options.Events.OnRemoteFailure = context =>
            {
                // A refused consent, a bad token, an expired state: a page that says so, not an error page.
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EntraSetup))
                    .LogWarning(context.Failure, "Signing in through Entra ID failed.");
                context.Response.Redirect($"{RefusedPath}?reason=failed");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return authentication;
    }

    public static IEndpointRouteBuilder MapLockboxEntra(this IEndpointRouteBuilder endpoints)
    {
        if (!endpoints.ServiceProvider.GetRequiredService<EntraSignInOption>().Enabled)
        {
            return endpoints;
        }

        // A wrong AzureAd section fails here, at start, instead of on every request (the handler checks each one for its callback).
        _ = endpoints.ServiceProvider.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(Scheme);

        endpoints.MapGet(SignInPath, (string? returnUrl) => Challenge(returnUrl, again: false)).AllowAnonymous();
        endpoints.MapGet(DirectorySession.SignInAgainPath, (string? returnUrl) => Challenge(returnUrl, again: true)).AllowAnonymous();
        endpoints.MapGet(CallbackPath, CompleteAsync).AllowAnonymous();
        return endpoints;
    }

    private static IResult Challenge(string? returnUrl, bool again)
    {
        var properties = new AuthenticationProperties { RedirectUri = $"{CallbackPath}?returnUrl={Uri.EscapeDataString(AccountLinks.SafeReturnUrl(returnUrl))}" };
        if (again)
        {
            properties.Items[AgainItem] = "1";
        }

        return TypedResults.Challenge(properties, [Scheme]);
    }

    private static async Task<IResult> CompleteAsync(HttpContext context, DirectorySignIn directory, SignInManager<PortalUser> signIn, string? returnUrl)
    {
        var external = await context.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await context.SignOutAsync(IdentityConstants.ExternalScheme);
        if (!external.Succeeded || ReadIdentity(external.Principal) is not { } identity)
        {
            return TypedResults.LocalRedirect($"{RefusedPath}?reason=failed");
        }

        var result = await directory.SignInAsync(identity, AccountEndpoints.ClientOf(context), context.RequestAborted);
        if (result is not { Outcome: DirectorySignInOutcome.SignedIn, User: { } user })
        {
            return TypedResults.LocalRedirect($"{RefusedPath}?reason={result.Outcome}");
        }

        await signIn.SignInWithClaimsAsync(user, new AuthenticationProperties { IsPersistent = false }, SessionClaims(external.Principal));
        return TypedResults.LocalRedirect(AccountLinks.SafeReturnUrl(returnUrl));
    }

    /// <summary>The person the token names, or null when it lacks a directory or object id.</summary>
    internal static DirectoryIdentity? ReadIdentity(ClaimsPrincipal token)
    {
        var objectId = token.GetObjectId();
        if (!Guid.TryParse(token.GetTenantId(), out var directory) || string.IsNullOrWhiteSpace(objectId))
        {
            return null;
        }

        var email = Values(token, "email", ClaimTypes.Email).FirstOrDefault() ?? Values(token, ClaimConstants.PreferredUserName).FirstOrDefault();
        return new DirectoryIdentity(directory, objectId, Values(token, ClaimConstants.Name).FirstOrDefault(), email, Values(token, ClaimConstants.Roles, ClaimTypes.Role).ToList());
    }

    /// <summary>What the portal's cookie keeps from the token, beside the claims Identity puts there for every sign-in.</summary>
    private static IEnumerable<Claim> SessionClaims(ClaimsPrincipal token) =>
        [
            new Claim(ClaimTypes.AuthenticationMethod, DirectorySession.Method),
            .. Values(token, DirectorySession.MethodsClaim, AuthenticationMethodsReferences).Distinct().Select(v => new Claim(DirectorySession.MethodsClaim, v)),
            .. Values(token, DirectorySession.AuthTimeClaim).Take(1).Select(v => new Claim(DirectorySession.AuthTimeClaim, v)),
        ];

    /// <summary>Where the token handler's inbound map puts <c>amr</c>.</summary>
    private const string AuthenticationMethodsReferences = "http://schemas.microsoft.com/claims/authnmethodsreferences";

    /// <summary>A claim's values under its token name or the name the token handler's inbound map gives it.</summary>
    private static IEnumerable<string> Values(ClaimsPrincipal token, params string[] types) =>
        token.Claims.Where(c => types.Contains(c.Type)).Select(c => c.Value);
}

/// <summary>Whether Entra sign-in is on, for the sign-in page's button.</summary>
public sealed record EntraSignInOption(bool Enabled);
