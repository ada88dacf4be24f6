export { Button } from './Button.js';
export { Alert } from './Alert.js';
export { Dialog, useModalDialog } from './Dialog.js';
export { Table, type Column } from './Table.js';
export { Tabs, type TabItem } from './Tabs.js';
export { TextField, TextArea, SelectField, Checkbox } from './TextField.js';
export { Spinner, ProgressBar, PageLoading } from './Spinner.js';
export { ConfirmDialog } from './ConfirmDialog.js';
