// The Preview Data button on a data file chip: opens the file's profile in an editor tab.
import { format } from '../i18n';
import { previewStrings } from '../preview-i18n';
import { post } from '../vscode-api';
import { Codicon } from './widgets';

export function PreviewChipButton({ path, locale }: { path: string; locale: string }) {
  const label = format(previewStrings(locale).previewFile, path);
  return (
    <button type="button" class="chip-remove chip-preview" aria-label={label} title={label} onClick={() => post({ type: 'previewData', path })}>
      <Codicon name="preview" />
    </button>
  );
}
