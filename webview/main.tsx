// Webview entry. (Placeholder until the chat panel lands: see issue 5.)
import { render } from 'preact';

render(<div id="radarm-root">Radarm</div>, document.body);
