using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace LockboxPortal.Hosting;

public static class AccountEndpoints
{
    /// <summary>
    /// Sign-out is a POST with an antiforgery token, so a link elsewhere cannot sign someone out. It signs the person out
    /// everywhere: every other session of theirs ends at its next security-stamp validation.
    /// </summary>
    public static IEndpointRouteBuilder MapLockboxAccount(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/logout", async Task<IResult> (HttpContext context, SignInManager<PortalUser> signIn, SignInAudit securityAudit, IAntiforgery antiforgery) =>
        {
            // The endpoint binds no form, so nothing else checks the token: without this, another site could sign people out.
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return TypedResults.BadRequest("Sign out from the portal's own page.");
            }

            // A new security stamp ends the person's other sessions too (cookies, open pages, hub connections) at their
            // next validation, within a minute: signing out on one device should not leave a forgotten one signed in.
            var user = await signIn.UserManager.GetUserAsync(context.User);
            if (user is not null)
            {
                await signIn.UserManager.UpdateSecurityStampAsync(user);
            }

            await signIn.SignOutAsync();
            if (user is not null)
            {
                await securityAudit.RecordAsync(AuditEventType.SignOut, user, user.UserName ?? user.Id, ClientOf(context));
            }

            return TypedResults.LocalRedirect("/account/login");
        });

        // The WebAuthn options a page's script hands to navigator.credentials; Identity keeps the challenge in a cookie
        // and checks the answer when the page's form posts it. Both are POSTs with the page's antiforgery token.
        endpoints.MapPost("/account/passkey/creation-options", async Task<IResult> (HttpContext context, SignInManager<PortalUser> signIn, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context) || await signIn.UserManager.GetUserAsync(context.User) is not { IsActive: true } user)
            {
                return TypedResults.BadRequest("Add a passkey from the portal's own page, signed in.");
            }

            var entity = new PasskeyUserEntity { Id = user.Id, Name = user.Email ?? user.UserName ?? user.Id, DisplayName = user.ToActor().DisplayName };
            return TypedResults.Content(await signIn.MakePasskeyCreationOptionsAsync(entity), "application/json");
        }).RequireAuthorization();
        endpoints.MapPost("/account/passkey/request-options", async Task<IResult> (HttpContext context, SignInManager<PortalUser> signIn, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return TypedResults.BadRequest("Sign in from the portal's own page.");
            }

            return TypedResults.Content(await signIn.MakePasskeyRequestOptionsAsync(null), "application/json");
        }).AllowAnonymous();
        return endpoints;
    }

    public static ClientInfo ClientOf(HttpContext context)
    {
        var agent = context.Request.Headers.UserAgent.ToString();
        return new ClientInfo(
            context.Connection.RemoteIpAddress?.ToString(), agent.Length > 512 ? agent[..512] : agent, $"{context.Request.Scheme}://{context.Request.Host}");
    }
}
