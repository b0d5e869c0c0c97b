// A button with data-passkey="create" or "get" inside a form: ask the portal for WebAuthn options, let the browser
// make or use a passkey, put the answer (JSON) in the form's data-passkey-credential field and post the form.
(() => {
  async function run(button) {
    const form = button.closest('form');
    const token = form.querySelector('input[name=__RequestVerificationToken]')?.value ?? '';
    const create = button.dataset.passkey === 'create';
    const response = await fetch(create ? 'account/passkey/creation-options' : 'account/passkey/request-options', {
      method: 'POST', credentials: 'same-origin', headers: { RequestVerificationToken: token },
    });
    if (!response.ok) {
      throw new Error(await response.text());
    }

    const options = await response.json();
    const credential = create
      ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
      : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
    form.querySelector('[data-passkey-credential]').value = JSON.stringify(credential);
    form.submit();
  }

  document.addEventListener('click', event => {
    const button = event.target.closest('[data-passkey]');
    if (!button) {
      return;
    }

    event.preventDefault();
    const status = button.closest('form').querySelector('[data-passkey-status]');
    run(button).catch(error => {
      if (status) {
        status.textContent = 'The passkey did not work: ' + (error?.message ?? error);
      }
    });
  });
})();

// A decision dialog's "Sign with a passkey": the portal's request options (the challenge is the decision's statement)
// in, the assertion's JSON out.
window.lockboxPasskeys = {
  async sign(optionsJson) {
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(JSON.parse(optionsJson)),
    });
    return JSON.stringify(credential);
  },
};
